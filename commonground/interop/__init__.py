"""The edge where Common Ground meets other systems (DESIGN rule 10): domains never build exchange formats.

`interop.fhir` maps domain objects to typed FHIR R4 resources (the R4B models of `fhir.resources`) and
serves them read-only under /api/fhir/. Dependencies point one way: interop imports the domains, never the
reverse.
"""
