"""Admin: users get an action that ends a sign-in lockout (audit.auth.unlock)."""

from django.contrib import admin, messages
from django.contrib.auth import admin as auth_admin
from django.contrib.auth import get_user_model

from audit import auth

User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class UserAdmin(auth_admin.UserAdmin):
    actions = ["unlock_sign_in"]

    @admin.action(description="解除所选用户的登录锁定", permissions=["change"])
    def unlock_sign_in(self, request, queryset):
        for account in queryset:
            auth.unlock(account=account, user=request.user)
        self.message_user(request, f"已解除 {queryset.count()} 个用户的登录锁定。", messages.SUCCESS)
