// Push handlers: written by the reminders feature.
