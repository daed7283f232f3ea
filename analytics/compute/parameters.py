"""Every bound on the two DBSCAN parameters, in one place.

``eps_m`` (metres) and ``min_samples`` (weighted events) reach the engine from a
shared link, the map page's sliders, the tuning grid behind ``"auto"`` and the CLI.
The ranges each of them accepts are here, and so are the floors below which a
viewer's hotspots are never computed (the station file's ``[privacy]
viewer_min_eps_m`` and ``viewer_min_samples``): a "hotspot" of one event with a
few metres' radius is that event's address.
"""

from __future__ import annotations

from dataclasses import dataclass

# What a link may carry. Wider than the slider: an analyst can share an unusual view.
EPS_M_LINK: tuple[float, float] = (5.0, 2000.0)
MIN_SAMPLES_LINK: tuple[float, float] = (1.0, 500.0)
# What the map page's sliders offer.
EPS_M_SLIDER: tuple[int, int] = (20, 300)
MIN_SAMPLES_SLIDER: tuple[int, int] = (2, 30)
# What the rolling backtest behind "auto" tries.
EPS_GRID_M: tuple[float, ...] = (30, 40, 50, 60, 80, 100, 125, 150, 200)
MIN_SAMPLES_GRID: tuple[int, ...] = (3, 4, 5, 7, 10, 15)


@dataclass(frozen=True)
class Floors:
    """The least ``eps_m`` (metres) and ``min_samples`` a role's hotspots use."""

    eps_m: float
    min_samples: float

    def apply(self, eps_m: float, min_samples: float) -> tuple[float, float, bool]:
        """``(eps_m, min_samples, raised)``: each raised to its floor where below it."""
        eps = max(float(eps_m), self.eps_m)
        mins = max(float(min_samples), self.min_samples)
        return eps, mins, (eps, mins) != (float(eps_m), float(min_samples))


NO_FLOORS = Floors(eps_m=0.0, min_samples=1.0)


def viewer_floors(station) -> Floors:
    """The station's viewer floors (``[privacy] viewer_min_eps_m``, ``viewer_min_samples``).

    Which roles they bind is the privacy rule's decision (:mod:`analytics.access.privacy`).
    """
    return Floors(
        eps_m=float(station.viewer_min_eps_m), min_samples=float(station.viewer_min_samples)
    )
