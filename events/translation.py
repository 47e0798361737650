"""Fields staff enter in French and English (English falls back to French when empty)."""

from modeltranslation.translator import TranslationOptions, register

from .models import AccessOption, Edition, Partner, Room, Session, SessionType, Slot, Speaker


@register(Edition)
class EditionTranslation(TranslationOptions):
    fields = (
        "title",
        "short_title",
        "theme",
        "editorial",
        "signatory_titles",
        "contact_intro",
        "intro",
        "accessibility_audit",
    )


@register(AccessOption)
class AccessOptionTranslation(TranslationOptions):
    fields = ("label", "detail")


@register(Slot)
class SlotTranslation(TranslationOptions):
    fields = ("title",)


@register(SessionType)
class SessionTypeTranslation(TranslationOptions):
    fields = ("name", "format_label", "description")


@register(Room)
class RoomTranslation(TranslationOptions):
    fields = ("name", "location")


@register(Speaker)
class SpeakerTranslation(TranslationOptions):
    fields = ("role", "bio")


@register(Session)
class SessionTranslation(TranslationOptions):
    fields = ("title", "description")


@register(Partner)
class PartnerTranslation(TranslationOptions):
    fields = ("role", "description")
