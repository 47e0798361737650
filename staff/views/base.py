from django.contrib import admin
from django.shortcuts import render


def render_staff(request, template, context):
    """A staff page inside the admin's frame (header, user links, side navigation)."""
    return render(request, template, {**admin.site.each_context(request), **context})
