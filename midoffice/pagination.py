from django.core import paginator as django_paginator
from rest_framework import pagination
from rest_framework.exceptions import NotFound

from .converters import MAX_ID


class Paginator(django_paginator.Paginator):
    """Counts only when it must: a first page shorter than the page size is the whole result.

    Look-ups by identifier, e-mail or phone find one party; their COUNT(*) was a query per request.
    """

    def page(self, number):
        if str(number) != "1" or self.orphans:
            return super().page(number)
        rows = list(self.object_list[: self.per_page + 1])
        if len(rows) <= self.per_page:
            self.__dict__["count"] = len(rows)  # sets the cached property Paginator.count
        return self._get_page(rows[: self.per_page], 1, self)


class PageNumberPagination(pagination.PageNumberPagination):
    django_paginator_class = Paginator
    page_size_query_param = "page_size"
    max_page_size = 200

    def page_number(self, request) -> int:
        """The page a view that pages by hand was asked for: 404 like DRF's own pages for anything but a
        page number whose rows the database can still count to (``?page=0``, ``-1``, ``abc``, 20 digits)."""
        try:
            number = int(request.query_params.get(self.page_query_param) or 1)
        except ValueError:
            number = 0
        if not 1 <= number <= MAX_ID // self.get_page_size(request):
            raise NotFound(self.invalid_page_message)
        return number
