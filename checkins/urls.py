from django.urls import path

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("welcome/", views.welcome, name="welcome"),
    path("profile/", views.profile_edit, name="profile"),
]
