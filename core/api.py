"""Small helpers every app's api.py uses: parse input, render a cursor page, describe it."""

from drf_spectacular.utils import OpenApiParameter, extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.response import Response

from .pagination import MAX_PAGE_SIZE, Page

PAGE_PARAMETERS = [
    OpenApiParameter("cursor", str, description="The `next_cursor` of the previous page; leave out for the first."),
    OpenApiParameter("size", int, description=f"Items per page, 1–{MAX_PAGE_SIZE} (default 20)."),
]


def parsed(serializer_class, request) -> dict:
    """Validated input, or a 400 in the one error format."""
    serializer = serializer_class(data=request.data)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data


def page_response(page: Page, serializer_class, request) -> Response:
    results = serializer_class(page.items, many=True, context={"request": request}).data
    return Response({"results": results, "next_cursor": page.next_cursor})


def page_schema(name: str, item_serializer, *, summary: str, parameters=(), **kwargs):
    """extend_schema for a cursor-paginated list of `item_serializer`."""
    response = inline_serializer(
        name, {"results": item_serializer(many=True), "next_cursor": serializers.CharField(allow_null=True)}
    )
    return extend_schema(responses=response, summary=summary, parameters=[*parameters, *PAGE_PARAMETERS], **kwargs)
