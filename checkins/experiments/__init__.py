"""Experiments: the runner tries one change for two to four weeks and sees whether twitching
went with it (advice.experiments holds the changes, the plans and the result).

- running.py: start, stop, the result of each, the check-in's question (the database side)
- forms.py, views.py, urls.py: the pages (/experiments/...)
- nudges.py: `due_nudges(day)`, the hook a daily reminder calls
"""
