"""Figures computed by hand from the Console example seed (``examples/seeds/console.yaml``),
which has 28 days of usage.  Per day, in USD (list price per million tokens × tokens;
batch ½; ``us`` on 4.6+ models 1.1×):

    claims-processing  sonnet-4-6 global   2.4M×3 + 0.48M×15 + 1.2M×0.3 + 0.15M×3.75 = 15.3225
                       sonnet-4-6 global batch (5M×3 + 0.9M×15) × ½                  = 14.25
                       haiku-4-5 (14 days) 0.8M×1 + 0.12M×5                          =  1.40
    patient-portal     sonnet-4-6 us       (1.6M×3 + 0.32M×15 + 0.9M×0.3) × 1.1      = 10.857
    research-sandbox   opus-4-6 global     0.6M×5 + 0.15M×25 + 0.2M×10 + 1.8M×0.5    =  9.65
                       web search          40 × $0.01                                =  0.40
    marketing-copy     sonnet-4-6 global   0.9M×3 + 0.6M×15                          = 11.70
                       sonnet-4-6 us (10 days) (0.3M×3 + 0.2M×15) × 1.1              =  4.29
    legacy-prototype   sonnet-4-5          0.25M×3 + 0.05M×15                        =  1.50
    Default            opus-4-6 global     0.12M×5 + 0.04M×25                        =  1.60

Amounts below are in cents.
"""

from __future__ import annotations

from decimal import Decimal

__all__ = ["GEO_CENTS", "GEO_TOKENS", "PREMIUM_CENTS", "TOTAL_CENTS", "WORKSPACE_CENTS"]

D = Decimal
WORKSPACE_CENTS = {
    "claims-processing": D("1532.25") * 28 + D("1425") * 28 + D("140") * 14,
    "patient-portal": D("1085.7") * 28,
    "research-sandbox": D("965") * 28 + D("40") * 28,
    "marketing-copy": D("1170") * 28 + D("429") * 10,
    "legacy-prototype": D("150") * 28,
    "Default": D("160") * 28,
}
GEO_CENTS = {
    "global": (D("1532.25") + D("1425") + D("965") + D("1170") + D("160")) * 28,
    "us": D("1085.7") * 28 + D("429") * 10,
    "not_available": D("140") * 14 + D("150") * 28,
    "": D("40") * 28,  # web search: no model, no geo
}
TOTAL_CENTS = D("189032.6")
PREMIUM_CENTS = (D("1085.7") * 28 + D("429") * 10) / 11  # cost − cost ÷ 1.1
GEO_TOKENS = {"global": 407_120_000, "us": 83_960_000, "not_available": 21_280_000}
