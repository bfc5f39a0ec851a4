from django.urls import path

from . import views

urlpatterns = [
    path("profile/reminders/", views.reminder_settings, name="reminder_settings"),
    path("profile/reminders/push/", views.push_subscribe, name="push_subscribe"),
    path("reminders/unsubscribe/<str:token>/", views.reminder_unsubscribe, name="reminder_unsubscribe"),
]
