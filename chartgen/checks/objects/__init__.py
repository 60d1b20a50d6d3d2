"""Reading Kubernetes objects the way checks need, one module per topic:

- ``pods``: pod specs, containers, pod metadata and securityContext fields of workloads;
- ``selectors``: label selectors and the workloads they select;
- ``references``: ConfigMap and Secret references, their data, and names declared external;
- ``env``: what feeds a container's environment and ``$(NAME)`` references.

Every function returns paths in the finding-path syntax of the engine
(``spec.template.spec.containers[0].env[2]``), so a check can report exactly where.
"""
