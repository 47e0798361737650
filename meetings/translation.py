"""Theme names, typed by staff in French and English (English falls back to French)."""

from modeltranslation.translator import TranslationOptions, register

from .models import Theme


@register(Theme)
class ThemeTranslation(TranslationOptions):
    fields = ("name",)
