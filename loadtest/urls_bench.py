"""The app's URLs plus `bench/hello`: a plain Django view, the benchmark's baseline.

It passes through the whole middleware stack like every page, and does nothing else.
"""

from django.http import HttpRequest, HttpResponse
from django.urls import include, path


def hello(request: HttpRequest) -> HttpResponse:
    return HttpResponse("hello", content_type="text/plain")


urlpatterns = [
    path("bench/hello", hello, name="bench_hello"),
    path("", include("config.urls")),
]
