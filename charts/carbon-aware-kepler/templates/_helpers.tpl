{{/* Chart name, truncated to the 63 characters a label value allows. */}}
{{- define "cak.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" }}
{{- end }}

{{/* Resource name prefix: the release name, plus the chart name unless the release already contains it. */}}
{{- define "cak.fullname" -}}
{{- if .Values.fullnameOverride }}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- $name := default .Chart.Name .Values.nameOverride }}
{{- if contains $name .Release.Name }}
{{- .Release.Name | trunc 63 | trimSuffix "-" }}
{{- else }}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" }}
{{- end }}
{{- end }}
{{- end }}

{{- define "cak.operatorName" -}}
{{- printf "%s-operator" (include "cak.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cak.mcpName" -}}
{{- printf "%s-mcp" (include "cak.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cak.labels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/name: {{ include "cak.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: carbon-aware-kepler
{{- end }}

{{/* Pod template labels besides the selector labels (which carry name and instance). */}}
{{- define "cak.podLabels" -}}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/part-of: carbon-aware-kepler
{{- end }}

{{/* Selector labels of one component (operator | mcp). Usage: include "cak.selectorLabels" (list . "operator") */}}
{{- define "cak.selectorLabels" -}}
{{- $root := index . 0 -}}
app.kubernetes.io/name: {{ include "cak.name" $root }}
app.kubernetes.io/instance: {{ $root.Release.Name }}
app.kubernetes.io/component: {{ index . 1 }}
{{- end }}

{{- define "cak.operatorServiceAccountName" -}}
{{- if .Values.operator.serviceAccount.create }}
{{- default (include "cak.operatorName" .) .Values.operator.serviceAccount.name }}
{{- else }}
{{- required "operator.serviceAccount.name is required when operator.serviceAccount.create is false" .Values.operator.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cak.mcpServiceAccountName" -}}
{{- if .Values.mcp.serviceAccount.create }}
{{- default (include "cak.mcpName" .) .Values.mcp.serviceAccount.name }}
{{- else }}
{{- required "mcp.serviceAccount.name is required when mcp.serviceAccount.create is false" .Values.mcp.serviceAccount.name }}
{{- end }}
{{- end }}

{{- define "cak.image" -}}
{{- printf "%s:%s" .Values.image.repository (default .Chart.AppVersion .Values.image.tag) }}
{{- end }}

{{- define "cak.standardsConfigMapName" -}}
{{- printf "%s-standards" (include "cak.fullname" .) | trunc 63 | trimSuffix "-" }}
{{- end }}

{{- define "cak.mcpTokenSecretName" -}}
{{- default (printf "%s-token" (include "cak.mcpName" .)) .Values.mcp.auth.existingSecret }}
{{- end }}

{{/* True ("true") when the operator discovers Kepler endpoints and so needs a Role in the Kepler namespace. */}}
{{- define "cak.keplerDiscovery" -}}
{{- if and (eq .Values.metricsSource.mode "kepler") .Values.metricsSource.kepler.discovery.enabled }}true{{ end }}
{{- end }}

{{- /* Whether usage for right-sizing is polled from metrics.k8s.io (the operator then needs list on it). */ -}}
{{- define "cak.usageMetricsApi" -}}
{{- $u := .Values.usage.source }}
{{- if or (eq $u "metrics-api") (and (eq $u "auto") (not .Values.metricsSource.prometheus.url)) }}true{{ end }}
{{- end }}

{{/* Fails the render on value combinations the schema cannot express. */}}
{{- define "cak.validate" -}}
{{- $ms := .Values.metricsSource }}
{{- if and (eq $ms.mode "prometheus") (not $ms.prometheus.url) }}
{{- fail "metricsSource.prometheus.url is required when metricsSource.mode is prometheus" }}
{{- end }}
{{- if and (eq .Values.usage.source "prometheus") (not $ms.prometheus.url) }}
{{- fail "metricsSource.prometheus.url is required when usage.source is prometheus" }}
{{- end }}
{{- if and (eq $ms.mode "kepler") (not $ms.kepler.discovery.enabled) (empty $ms.kepler.endpoints) }}
{{- fail "metricsSource.kepler.endpoints must list at least one URL when metricsSource.kepler.discovery.enabled is false" }}
{{- end }}
{{- if and $ms.kepler.bearerToken.file $ms.kepler.bearerToken.secret.name }}
{{- fail "set either metricsSource.kepler.bearerToken.file or metricsSource.kepler.bearerToken.secret.name, not both" }}
{{- end }}
{{- $em := .Values.gridData.electricityMaps }}
{{- if and $em.enabled (not $em.tokenSecret.name) }}
{{- fail "gridData.electricityMaps.tokenSecret.name is required when gridData.electricityMaps.enabled is true (the token is read from an existing Secret, never from values)" }}
{{- end }}
{{- end }}

{{- /* Egress both pods need: DNS and the Kubernetes API server. */ -}}
{{- define "cak.commonEgress" -}}
- ports:
    - protocol: UDP
      port: 53
    - protocol: TCP
      port: 53
- ports:
    {{- range .Values.networkPolicy.apiServerPorts }}
    - protocol: TCP
      port: {{ . }}
    {{- end }}
{{- end }}
