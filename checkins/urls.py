from django.urls import include, path

from . import activity_views, offline, views

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("signup/sent/", views.signup_done, name="signup_done"),
    path("signup/confirm/<uidb64>/<token>/", views.signup_confirm, name="signup_confirm"),
    path("welcome/", views.welcome, name="welcome"),
    path("profile/", views.profile_edit, name="profile"),
    path("profile/delete/", views.delete_account, name="delete_account"),
    path("profile/activity/", activity_views.account_activity, name="account_activity"),
    path("checkin/", views.checkin_create, name="checkin_create"),
    path("checkin/preview/", views.checkin_preview, name="checkin_preview"),
    path("history/", views.history_page, name="history"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/edit/", views.run_edit, name="run_edit"),
    path("runs/<int:pk>/delete/", views.run_delete, name="run_delete"),
    path("runs/<int:pk>/followup/", views.followup, name="followup"),
    path("runs/<int:pk>/flags-seen/", views.flags_seen, name="flags_seen"),
    path("", include("checkins.transfer.urls")),
    path("", include("checkins.reminders.urls")),
    path("", include("checkins.experiments.urls")),
    path("", include("checkins.twofactor.urls")),
    # Offline first (checkins.offline): the service worker at the root, so its scope is "/".
    path("sw.js", offline.service_worker, name="service_worker"),
    path("offline/", offline.offline_page, name="offline_page"),
    path("checkin/outbox-token/", offline.outbox_token, name="outbox_token"),
]
