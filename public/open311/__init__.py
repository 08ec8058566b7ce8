"""Open311 GeoReport v2 at ``/open311/v2/`` (docs/open311.md): the city's public case types as services, the
public state of their cases as service requests, and the intake of new ones by apps with a service-client key.

The specification is the contract: its field names, its ``.json``/``.xml`` paths and its error arrays, not the
staff API's conventions (which is why these views stay out of the OpenAPI document).
"""
