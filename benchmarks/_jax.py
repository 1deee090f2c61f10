"""JAX (with optax) training the benchmarks' MLP, both ways a JAX user would.

``scan``: the whole epoch is one compiled XLA program: the permutation, a
``jax.lax.scan`` over the batches with each batch gathered inside it, the loss,
gradients and optax update per step (the last, shorter batch after the scan).
``step``: one jitted step per batch called from Python, the batch gathered inside
the step from the device-resident training set by indices drawn in NumPy. Both
donate the parameter and optimizer-state buffers, so XLA updates them in place.

Compilation happens ahead of time (``jit(...).lower(...).compile()``) and its
seconds are kept apart (``compile_seconds``), never in an epoch's time.
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import numpy as np


def versions() -> str:
    import jax
    import jaxlib
    import optax

    return (
        f"jax {jax.__version__}, jaxlib {jaxlib.__version__}, optax {optax.__version__}"
    )


def _optimizer(name: str, learning_rate: float):
    import optax

    # optax's defaults are PyTorch's and glassnet's: b1 0.9, b2 0.999, eps 1e-8
    return {"sgd": optax.sgd, "adam": optax.adam}[name](learning_rate)


class JaxTrainer:
    """An MLP (ReLU hidden layers, logits out, softmax cross-entropy) in JAX.

    ``weights`` is glassnet's ``get_weights()`` list (W of shape (n_in, n_out),
    b of (n_out,), per layer), so every contender starts from the same numbers.
    ``epoch()`` runs one epoch and returns its own seconds (results ready).
    """

    def __init__(
        self,
        X: np.ndarray,
        y: np.ndarray,
        weights: Sequence[np.ndarray],
        batch: int,
        optimizer: str,
        learning_rate: float,
        mode: str,
        seed: int = 0,
    ) -> None:
        import jax
        import jax.numpy as jnp
        import optax

        if mode not in ("scan", "step"):
            raise ValueError(f"mode must be 'scan' or 'step'. Received: {mode!r}")
        self.mode = mode
        self.jax = jax
        tx = _optimizer(optimizer, learning_rate)
        params = [
            (jnp.asarray(weights[i]), jnp.asarray(weights[i + 1]))
            for i in range(0, len(weights), 2)
        ]
        opt_state = tx.init(params)
        Xd = jax.device_put(np.ascontiguousarray(X, np.float32))
        yd = jax.device_put(np.asarray(y, np.int32))
        n = len(X)
        n_full, rest = divmod(n, batch)

        def loss_fn(params, xb, yb):
            a = xb
            for W, b in params[:-1]:
                a = jax.nn.relu(a @ W + b)
            W, b = params[-1]
            logits = a @ W + b
            return optax.softmax_cross_entropy_with_integer_labels(logits, yb).mean()

        def step(params, opt_state, Xd, yd, ids):
            xb = jnp.take(Xd, ids, axis=0, mode="clip")
            yb = jnp.take(yd, ids, axis=0, mode="clip")
            loss, grads = jax.value_and_grad(loss_fn)(params, xb, yb)
            updates, opt_state = tx.update(grads, opt_state, params)
            return optax.apply_updates(params, updates), opt_state, loss

        t0 = time.perf_counter()
        if mode == "scan":

            def epoch(params, opt_state, key, Xd, yd):
                key, sub = jax.random.split(key)
                perm = jax.random.permutation(sub, n).astype(jnp.int32)

                def body(carry, ids):
                    p, s, loss = step(*carry, Xd, yd, ids)
                    return (p, s), loss

                batches = perm[: n_full * batch].reshape(n_full, batch)
                (params, opt_state), losses = jax.lax.scan(
                    body, (params, opt_state), batches
                )
                total = losses.sum() * batch
                if rest:
                    params, opt_state, loss = step(
                        params, opt_state, Xd, yd, perm[n_full * batch :]
                    )
                    total = total + loss * rest
                return params, opt_state, key, total / n

            key = jax.random.PRNGKey(seed)
            self._epoch = (
                jax.jit(epoch, donate_argnums=(0, 1))
                .lower(params, opt_state, key, Xd, yd)
                .compile()
            )
            self._state = (params, opt_state, key)
        else:
            jitted = jax.jit(step, donate_argnums=(0, 1))
            self._steps = {
                size: jitted.lower(
                    params, opt_state, Xd, yd, np.zeros(size, np.int32)
                ).compile()
                for size in {batch, rest} - {0}
            }
            self._state = (params, opt_state)
            self._rng = np.random.default_rng(seed)
        self.compile_seconds = time.perf_counter() - t0
        self._data = (Xd, yd)
        self._n, self._batch = n, batch

    def weights(self) -> list[np.ndarray]:
        """The current parameters as NumPy arrays, in glassnet's order (W, b, ...)."""
        return [np.asarray(a) for pair in self._state[0] for a in pair]

    def epoch(self) -> float:
        jax = self.jax
        Xd, yd = self._data
        t0 = time.perf_counter()
        if self.mode == "scan":
            params, opt_state, key, loss = self._epoch(*self._state, Xd, yd)
            self._state = (params, opt_state, key)
        else:
            params, opt_state = self._state
            perm = self._rng.permutation(self._n).astype(np.int32)
            steps, batch = self._steps, self._batch
            losses = []
            for start in range(0, self._n, batch):
                ids = perm[start : start + batch]
                params, opt_state, loss = steps[len(ids)](
                    params, opt_state, Xd, yd, ids
                )
                losses.append(loss)
            self._state = (params, opt_state)
            loss = losses[-1]
        jax.block_until_ready((self._state, loss))
        elapsed = time.perf_counter() - t0
        self.last_loss = float(loss)  # the epoch's mean (scan) or last batch's loss
        return elapsed
