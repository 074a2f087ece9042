"""One exception hierarchy; the CLI turns these into one-line messages."""


class RecruitDetectError(Exception):
    """Base class: the message names the problem and the fix."""


class CorpusError(RecruitDetectError):
    """A corpus or input file cannot be read as asked."""


class CueError(RecruitDetectError):
    """A cue definition file is invalid."""


class ModelError(RecruitDetectError):
    """A model folder is missing, incomplete or inconsistent."""


class UntrustedModelError(ModelError):
    """A model file would need code we do not trust to load."""
