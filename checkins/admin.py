from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin

from .models import CheckIn, Profile, Run, User


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    ordering = ("email",)
    list_display = ("email", "is_staff", "is_active", "date_joined")
    search_fields = ("email",)
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Permissions", {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = ((None, {"classes": ("wide",), "fields": ("email", "password1", "password2")}),)


@admin.register(Profile)
class ProfileAdmin(admin.ModelAdmin):
    list_display = ("runner", "distance_unit", "temperature_unit", "time_zone", "notice_acknowledged_at")
    list_select_related = ("runner",)
    search_fields = ("runner__email",)


class CheckInInline(admin.StackedInline):
    model = CheckIn
    can_delete = False
    extra = 0


@admin.register(Run)
class RunAdmin(admin.ModelAdmin):
    list_display = ("date", "runner", "distance_km", "duration_min", "effort", "run_type", "twitching")
    list_filter = ("run_type", "cooldown", "checkin__twitching")
    list_select_related = ("runner", "checkin")
    search_fields = ("runner__email",)
    date_hierarchy = "date"
    readonly_fields = ("idempotency_key", "created_at", "updated_at")
    inlines = [CheckInInline]

    @admin.display(boolean=True, description="twitching")
    def twitching(self, run):
        checkin = getattr(run, "checkin", None)
        return None if checkin is None else checkin.twitching


# Reminders (checkins.reminders): what is due, sent, skipped or failed, and why.
from .reminders.models import Reminder  # noqa: E402


@admin.register(Reminder)
class ReminderAdmin(admin.ModelAdmin):
    list_display = ("due_at", "runner", "kind", "day", "channel", "status", "attempts", "sent_at", "note")
    list_filter = ("status", "kind", "channel")
    list_select_related = ("runner",)
    search_fields = ("runner__email",)
    readonly_fields = ("task_id", "claimed_at", "sent_at", "attempts", "created_at", "updated_at")
