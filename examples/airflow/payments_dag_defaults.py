"""How a payments DAG runs its tasks under the payments domain's identity (KubernetesExecutor pod_override).

Every task pod of the domain runs in namespace airflow-payments as service account payments-tasks (IRSA role
fl-<env>-wl-airflow-payments) and loads the domain's secrets-backend settings from the ConfigMap the platform writes
there (airflow-secrets-backend). Connections are then read with BaseHook.get_connection("snowflake_payments"):
no credential in the DAG, the image or the pod spec.
"""
from kubernetes.client import models as k8s

PAYMENTS_POD_OVERRIDE = k8s.V1Pod(
    metadata=k8s.V1ObjectMeta(namespace="airflow-payments"),
    spec=k8s.V1PodSpec(
        service_account_name="payments-tasks",
        containers=[
            k8s.V1Container(
                name="base",
                env_from=[k8s.V1EnvFromSource(config_map_ref=k8s.V1ConfigMapEnvSource(name="airflow-secrets-backend"))],
            )
        ],
    ),
)

default_args = {"executor_config": {"pod_override": PAYMENTS_POD_OVERRIDE}}
