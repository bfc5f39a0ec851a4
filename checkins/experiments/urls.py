from django.urls import path

from . import views

urlpatterns = [
    path("experiments/", views.experiments_page, name="experiments"),
    path("experiments/start/", views.experiment_start, name="experiment_start"),
    path("experiments/<int:pk>/", views.experiment_detail, name="experiment_detail"),
    path("experiments/<int:pk>/stop/", views.experiment_stop, name="experiment_stop"),
]
