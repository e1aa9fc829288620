"""Handler modules, one router each; ROUTERS is included by bot.app in this order."""

from __future__ import annotations

from handlers import (
    acks,
    cancel,
    confirm,
    digest,
    directives,
    groups,
    help,
    link,
    me,
    register,
    reminders,
    report_form,
    reports,
    roles,
    start,
)

ROUTERS = (
    start.router,
    help.router,
    me.router,
    register.router,
    roles.router,
    groups.router,
    link.router,
    reports.router,
    report_form.router,
    directives.router,
    confirm.router,
    acks.router,
    reminders.router,
    digest.router,
    cancel.router,
)
