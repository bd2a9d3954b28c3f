"""The model's calendar: day 0 is the first spin-up day; reported months start at ``config.start``."""

from __future__ import annotations

import datetime as dt

import numpy as np


class Calendar:
    """Maps simulated days to reported months; days of the spin-up map to month -1 (not reported)."""

    def __init__(self, start: dt.date, end: dt.date, spinup_days: int) -> None:
        self.start = start
        self.first_day = start - dt.timedelta(days=spinup_days)
        self.n_days = (end - self.first_day).days + 1
        self.months = month_starts(start, end)
        self.month_of_day = np.full(self.n_days, -1, np.int32)
        self.month_end = np.zeros(self.n_days, bool)
        for d in range(spinup_days, self.n_days):
            date = self.first_day + dt.timedelta(days=d)
            self.month_of_day[d] = (date.year - start.year) * 12 + date.month - start.month
            self.month_end[d] = (date + dt.timedelta(days=1)).day == 1 or d == self.n_days - 1

    def date(self, day: int) -> dt.date:
        return self.first_day + dt.timedelta(days=day)

    def month(self, day: int) -> int:
        """Index of the reported month of ``day``, or -1 during the spin-up."""
        return int(self.month_of_day[day])

    def month_index(self, month: dt.date) -> int:
        return (month.year - self.start.year) * 12 + month.month - self.start.month


def month_starts(start: dt.date, end: dt.date) -> list[dt.date]:
    months, d = [], dt.date(start.year, start.month, 1)
    while d <= end:
        months.append(d)
        d = dt.date(d.year + (d.month == 12), d.month % 12 + 1, 1)
    return months
