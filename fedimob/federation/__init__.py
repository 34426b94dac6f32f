"""Federation: fedimob's actors, objects and endpoints, built on `activitypub/`.

`urls` is the one place that knows local URL shapes; `documents` and `events`
map domain objects to AS2; `discovery` serves WebFinger, host-meta and
NodeInfo; `endpoints` serves actor and object documents by content
negotiation.
"""
