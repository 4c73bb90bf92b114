"""A one-file Django project: URL patterns with route templates (resolver_match.route); Django answers
500 itself when a view raises (DEBUG off)."""
import time

from django.conf import settings

if not settings.configured:
    settings.configure(DEBUG=False, ALLOWED_HOSTS=["*"], ROOT_URLCONF=__name__, SECRET_KEY="test-only",
                       MIDDLEWARE=[], INSTALLED_APPS=[], LOGGING_CONFIG=None)

from django.core.wsgi import get_wsgi_application  # noqa: E402
from django.http import HttpResponse  # noqa: E402
from django.urls import path, re_path  # noqa: E402


def index(request):
    return HttpResponse("hello\n")


def item(request, pk):
    return HttpResponse("item %d\n" % pk)


def article(request, year):
    return HttpResponse("article %s\n" % year)


def sleep(request):
    time.sleep(float(request.GET.get("s", "1")))
    return HttpResponse("slept\n")


def raises(request):
    raise KeyError("django view raised")


urlpatterns = [
    path("", index),
    path("items/<int:pk>/", item),
    re_path(r"^articles/(?P<year>[0-9]{4})/$", article),
    path("sleep/", sleep),
    path("raise/", raises),
]

application = get_wsgi_application()
