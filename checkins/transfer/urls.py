from django.urls import path

from . import share_views, views

urlpatterns = [
    path("data/", views.data_page, name="data"),
    path("data/export.json", views.export_json, name="export_json"),
    path("data/export.csv", views.export_spreadsheet, name="export_csv"),
    path("data/import/", views.import_export, name="import_export"),
    path("data/report/", views.report_page, name="report"),
    path("data/report/share/", share_views.share_links, name="share_links"),
    path("data/report/share/<int:pk>/revoke/", share_views.share_link_revoke, name="share_link_revoke"),
    # The one public page a share link opens: its token in the path, read by this view only.
    path("shared/<str:token>/", share_views.shared_report, name="shared_report"),
    path("import/", views.import_page, name="import_page"),
    path("import/one/", views.import_one, name="import_one"),
    path("import/many/", views.import_many, name="import_many"),
    path("import/<int:pk>/", views.import_progress, name="import_progress"),
]
