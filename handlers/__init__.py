"""Handler modules, one router each; ROUTERS is included by bot.app in this order."""

from __future__ import annotations

from handlers import (
    acks,
    cancel,
    clarifications,
    confirm,
    digest,
    directives,
    groups,
    handbook,
    help,
    link,
    me,
    questions,
    register,
    reminders,
    report_form,
    reports,
    roles,
    start,
    surveys,
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
    questions.router,
    handbook.router,
    clarifications.router,
    surveys.router,
    cancel.router,
)
