"""``glassnet playground``: watch a glassnet network learn, in the browser.

Like TensorFlow Playground, but the network is glassnet's own ``Sequential``
training in this Python process; the page (``static/``, shipped in the package,
no CDN) draws its decision boundary, every neuron's output over the plane, every
weight and the loss curves as they change, and walks through the article's
backpropagation one factor at a time. See :mod:`glassnet.playground.server` for
why the server is the standard library's.
"""

from glassnet.playground.server import PlaygroundServer, make_server
from glassnet.playground.session import Session, article_sample, check_settings

__all__ = [
    "PlaygroundServer",
    "Session",
    "article_sample",
    "check_settings",
    "make_server",
]
