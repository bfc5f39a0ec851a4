"""Two-factor log-in: an authenticator app's codes (TOTP), with recovery codes for a lost
phone, built on django-otp (devices.py), its forms, pages, the log-in's code step
(login.py) and the middleware that keeps a runner who has it on out of every page until
the step is passed."""
