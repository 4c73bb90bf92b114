"""A Starlette app (no FastAPI): routes with a path convertor, a failing endpoint."""
from starlette.applications import Starlette
from starlette.responses import PlainTextResponse
from starlette.routing import Route


async def root(request):
    return PlainTextResponse("hello\n")


async def item(request):
    return PlainTextResponse("item %d\n" % request.path_params["item_id"])


async def fail(request):
    raise ValueError("starlette endpoint raised")


app = Starlette(routes=[Route("/", root), Route("/items/{item_id:int}", item), Route("/raise", fail)])
