"""The package's public API is explicit, sorted and complete."""

import importlib
import pkgutil

import activitypub

PRIVATE_MODULES = {"testing"}  # test helpers: imported explicitly, never by the package


def isort_order(name: str) -> tuple[int, str]:
    """Constants, then classes, then functions (ruff's RUF022 order)."""
    group = 0 if name.isupper() else 1 if name[0].isupper() else 2
    return group, name


def test_all_is_sorted_and_every_name_resolves() -> None:
    assert activitypub.__all__ == sorted(activitypub.__all__, key=isort_order)
    assert len(set(activitypub.__all__)) == len(activitypub.__all__)
    for name in activitypub.__all__:
        assert getattr(activitypub, name) is not None


def test_every_public_name_of_every_module_is_exported() -> None:
    for module in pkgutil.iter_modules(activitypub.__path__):
        if module.name in PRIVATE_MODULES:
            continue
        loaded = importlib.import_module(f"activitypub.{module.name}")
        public = getattr(loaded, "__all__", None)
        assert public is not None, f"activitypub.{module.name} has no __all__"
        for name in public:
            assert name in activitypub.__all__, f"activitypub.{module.name}.{name} is not exported"
            assert getattr(activitypub, name) is getattr(loaded, name)
