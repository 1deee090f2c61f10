"""Numbers that more than one module computes with.

A leaf module: it imports nothing from glassnet.
"""

from __future__ import annotations

__all__ = ["ERFCX_CHEBYSHEV", "ERFCX_SCALE"]

# Chebyshev coefficients of erfcx(z) = exp(z²)·erfc(z) on z in [0, ∞), in the
# variable t = (z − 2.5)/(z + 2.5) in [−1, 1) (Weideman's mapping), computed with
# mpmath at 50 digits from the 25 Chebyshev–Gauss nodes (tests/test_activations.py
# recomputes them). The series converges geometrically: 25 terms give erfcx to
# ~5e-16 relative for z ≤ 3 and ~4e-15 up to z = 27, where exp(−z²) underflows;
# float32 needs only the first 12.
ERFCX_SCALE = 2.5
ERFCX_CHEBYSHEV = (
    0.3508635989347412,
    -0.46758451502326537,
    0.14466752627054558,
    -0.03225585577766062,
    0.0045382840770419024,
    -0.00016930359610672677,
    -7.0670902291566e-05,
    1.0006166704684694e-05,
    1.2973400733871608e-06,
    -3.432369722001724e-07,
    -3.7305855623638205e-08,
    1.1863618686108316e-08,
    1.6734599568799222e-09,
    -4.079105470771608e-10,
    -9.270040149033853e-11,
    1.1685304684812356e-11,
    5.24449171787963e-12,
    -6.793059785996573e-14,
    -2.696235929616974e-13,
    -2.8131395407847327e-14,
    1.0834164121915811e-14,
    3.0492712428326048e-15,
    -1.6469401594543455e-16,
    -2.0388253102945232e-16,
    -2.6949664524509502e-17,
)
