"""Handler modules, one router each; ROUTERS is included by bot.app in this order."""

from __future__ import annotations

from handlers import cancel, groups, help, link, me, register, reports, roles, start

ROUTERS = (
    start.router,
    help.router,
    me.router,
    register.router,
    roles.router,
    groups.router,
    link.router,
    reports.router,
    cancel.router,
)
