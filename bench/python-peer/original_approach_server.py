"""A re-creation of the ORIGINAL Python server's approach, for `make bench` only (not the product).

The original code is not available here; this follows the seed architecture's description of it:
FastAPI's `POST /tools/assess_workload_compliance` fetches Kepler's /metrics on every call, parses
the whole exposition, sums the workload's container joules, and answers with the grid average
(436 gCO2eq/kWh) times a fixed PUE estimate (1.4, "node overhead 40 %") against 424, with fixed
10 % / 15 % optimisation figures. Its numbers are the original's flaws, kept on purpose: what is
measured here is the cost of that design (a scrape and a parse per call) against ours (an answer
from the status the operator keeps current).
"""

import os

import httpx
from fastapi import FastAPI
from prometheus_client.parser import text_string_to_metric_families
from pydantic import BaseModel

KEPLER_URL = os.environ["KEPLER_URL"]
GRID_AVERAGE_G_PER_KWH = 436.0  # the seed's grid figure
PUE_ESTIMATE = 1.4  # the seed's "estimate from node overhead (40 %)"
TARGET_G_PER_KWH = 424.0  # the seed's target

app = FastAPI()
client = httpx.AsyncClient(timeout=10.0)


class AssessRequest(BaseModel):
    workload_name: str
    namespace: str


@app.post("/tools/assess_workload_compliance")
async def assess_workload_compliance(request: AssessRequest) -> dict:
    response = await client.get(KEPLER_URL)
    response.raise_for_status()
    joules = 0.0
    for family in text_string_to_metric_families(response.text):
        if family.name != "kepler_container_joules":
            continue
        for sample in family.samples:
            labels = sample.labels
            if labels.get("container_namespace") == request.namespace and labels.get(
                "pod_name", ""
            ).startswith(request.workload_name):
                joules += sample.value
    intensity = GRID_AVERAGE_G_PER_KWH * PUE_ESTIMATE
    gap = (intensity - TARGET_G_PER_KWH) / TARGET_G_PER_KWH * 100
    status = "COMPLIANT" if intensity <= TARGET_G_PER_KWH else "NON_COMPLIANT"
    return {
        "workload": request.workload_name,
        "namespace": request.namespace,
        "status": status,
        "carbon_status": status,
        "pue_status": "COMPLIANT",
        "energy_kWh": joules / 3.6e6,
        "current_carbon_intensity_gCO2eq_kWh": round(intensity, 1),
        "target_carbon_intensity_gCO2eq_kWh": TARGET_G_PER_KWH,
        "gap_percent": round(gap, 1),
        "optimizations": [
            {"type": "temporal_shift", "estimated_reduction_percent": 10, "description": "Reschedule to 2am-6am KST"},
            {"type": "right_sizing", "estimated_reduction_percent": 15, "description": "Right-size resources"},
        ],
    }
