"""Experiments: the runner tries one change for two to four weeks and sees whether twitching
went with it (advice.experiments holds the changes, the plans and the result).

- running.py: start, stop, the result of each, the check-in's question (the database side)
- forms.py, views.py, urls.py: the pages (/experiments/...)
- nudges.py: whether a day wants a nudge (`why_no_nudge`, asked by the reminders' experiment
  kind at send time; `due_nudges(day)` for all runners at once) and the nudge's words
"""
