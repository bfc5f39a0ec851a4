"""Reminders: a note sent to a runner at a chosen local time, once.

One small machinery for every kind of reminder (the next-morning follow-up after a run
with twitching or cramps, and an experiment's evening nudge):

- models.py: the runner's choices (ReminderSettings), one Reminder row per thing to remind
  about, and the phones that take push notifications (PushSubscription).
- kinds.py: what each kind of reminder is about: when it is due, whether it is still
  wanted, and its words. A new kind is one entry there.
- scheduling.py: due times in the runner's zone (daylight saving included), the task on
  the worker, moving and cancelling, and the worker's safety net.
- sending.py: claim, check, send by push or e-mail; tasks.py: the worker's task.
- vapid.py: the Web Push keys; unsubscribing.py: the e-mail's signed one-click link.
- forms.py, views.py, urls.py: the settings form, the phone's subscription, unsubscribing.
"""
