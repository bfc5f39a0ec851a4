"""Aftermath's JSON API: personal access tokens, and version 1 of the API under /api/v1/.

The API reuses the check-in machinery (checkins.forms, checkins.saving, checkins.assessing)
and the advice engine; it adds only what an API needs: tokens, their rate limit, the
schemas that describe requests and answers, and the mapping from JSON to the check-in form.
"""
