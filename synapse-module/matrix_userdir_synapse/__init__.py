"""A Synapse module that pushes account changes to the matrix-userdir service.

homeserver.yaml::

    modules:
      - module: matrix_userdir_synapse.UserDirectoryPusher
        config:
          url: http://127.0.0.1:8090
          token_file: /etc/matrix-synapse/userdir-admin-token
"""

import logging

from .module import PusherConfig, SynapseRuntime, SynapseTransport, UserDirectoryPusher, parse_config
from .push_queue import PushError, PushQueue, Runtime, Transport

# A library adds no handler of its own (Synapse configures logging); this one
# only keeps Python from printing warnings to stderr when nobody has.
logging.getLogger(__name__).addHandler(logging.NullHandler())

__all__ = [
    "PushError",
    "PushQueue",
    "PusherConfig",
    "Runtime",
    "SynapseRuntime",
    "SynapseTransport",
    "Transport",
    "UserDirectoryPusher",
    "parse_config",
]
