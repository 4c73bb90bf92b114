"""A FastAPI (ASGI) app: routes have templates (scope['route'].path)."""
import asyncio

from fastapi import FastAPI
from fastapi.responses import PlainTextResponse

app = FastAPI()


@app.get("/", response_class=PlainTextResponse)
async def index():
    return "hello\n"


@app.get("/items/{item_id}")
async def item(item_id: int):
    return {"item": item_id}


@app.get("/sleep", response_class=PlainTextResponse)
async def sleep(s: float = 1.0):
    await asyncio.sleep(s)
    return "slept\n"


@app.get("/raise")
async def raises():
    raise ValueError("fastapi endpoint raised")
