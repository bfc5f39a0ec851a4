from django.urls import path

from . import data_views, views

urlpatterns = [
    path("", views.home, name="home"),
    path("signup/", views.signup, name="signup"),
    path("welcome/", views.welcome, name="welcome"),
    path("profile/", views.profile_edit, name="profile"),
    path("checkin/", views.checkin_create, name="checkin_create"),
    path("checkin/preview/", views.checkin_preview, name="checkin_preview"),
    path("history/", views.history_page, name="history"),
    path("data/", data_views.data_page, name="data"),
    path("data/export.json", data_views.export_json, name="export_json"),
    path("data/export.csv", data_views.export_spreadsheet, name="export_csv"),
    path("data/import/", data_views.import_export, name="import_export"),
    path("import/", data_views.import_page, name="import_page"),
    path("import/one/", data_views.import_one, name="import_one"),
    path("import/many/", data_views.import_many, name="import_many"),
    path("import/<int:pk>/", data_views.import_progress, name="import_progress"),
    path("import/<int:pk>/step/", data_views.import_step, name="import_step"),
    path("data/report/", data_views.report_page, name="report"),
    path("profile/delete/", data_views.delete_account, name="delete_account"),
    path("runs/<int:pk>/", views.run_detail, name="run_detail"),
    path("runs/<int:pk>/edit/", views.run_edit, name="run_edit"),
    path("runs/<int:pk>/delete/", views.run_delete, name="run_delete"),
    path("runs/<int:pk>/followup/", views.followup, name="followup"),
    path("runs/<int:pk>/flags-seen/", views.flags_seen, name="flags_seen"),
]
