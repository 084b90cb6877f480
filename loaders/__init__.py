"""Input formats turned into claims, and the entity registry that names what they talk about.

>>> from detente.loaders import EntityRegistry
>>> str(EntityRegistry().resolve("Russia"))
'https://w3id.org/detente/id/state/RUS'
"""

from detente.loaders.base import LoadError, LoadOptions, Reject
from detente.loaders.pipeline import FORMATS, FileReport, InputFormat, detect_format, load_paths, register_format
from detente.loaders.registry import Entity, EntityRegistry

__all__ = ["LoadError", "LoadOptions", "Reject", "FORMATS", "FileReport", "InputFormat", "detect_format",
           "load_paths", "register_format", "Entity", "EntityRegistry"]
