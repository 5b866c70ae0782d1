package sarif

import (
	gosarif "github.com/owenrumney/go-sarif/v2/sarif"
)

// The decoding types below are go-sarif's, wrapped: go-sarif carries the
// data, and a wrapper's own field shadows the embedded one of the same JSON
// name where go-sarif cannot represent what real logs hold, or where
// decoding it would only cost time:
//
//   - go-sarif declares every index unsigned (*uint), but SARIF writes -1
//     for "no index" (osv-scanner, go-sarif's own output): encoding/json
//     then fails and, worse, stores 0, which names the wrong rule. Indexes
//     read here are *int; those never read are skipped.
//   - releaseDateUtc is a *time.Time in go-sarif, but logs write a bare date
//     ("2023-10-26", KICS and the spec's own example), which time.Time
//     refuses.
//   - code flows, stacks, graphs, fixes, fingerprints and the like are
//     never read: leaving them out keeps a large log cheap to read.
//
// The run and the result are small structs of their own, holding go-sarif
// parts (messages, regions, property bags, suppressions, rules).

// skip is a JSON value that is checked for well-formedness and dropped.
type skip struct{}

// UnmarshalJSON implements json.Unmarshaler.
func (*skip) UnmarshalJSON([]byte) error { return nil }

// sarifLog is a SARIF log.
type sarifLog struct {
	Version string `json:"version"`
	Schema  string `json:"$schema"`
	Runs    []run  `json:"runs"`
}

// run is one run of one tool. Only what a finding needs is decoded.
// Results is nil when the log has no results or null (not computed), and
// empty when it has [] (none found).
type run struct {
	Tool        tool         `json:"tool"`
	Results     []*result    `json:"results"`
	Taxonomies  []component  `json:"taxonomies"`
	Invocations []invocation `json:"invocations"`
	// OriginalURIBaseIDs say where each uriBaseId points (SARIF §3.14.14).
	OriginalURIBaseIDs map[string]*artifactLocation `json:"originalUriBaseIds"`
}

type tool struct {
	Driver     *component  `json:"driver"`
	Extensions []component `json:"extensions"`
}

// component is a tool component: the driver, an extension or a taxonomy.
type component struct {
	gosarif.ToolComponent
	Rules []rule `json:"rules"`
	Taxa  []rule `json:"taxa"`

	AssociatedComponent  skip `json:"associatedComponent"`
	Contents             skip `json:"contents"`
	GlobalMessageStrings skip `json:"globalMessageStrings"`
	Locations            skip `json:"locations"`
	Notifications        skip `json:"notifications"`
	ReleaseDateUtc       skip `json:"releaseDateUtc"`
	SupportedTaxonomies  skip `json:"supportedTaxonomies"`
	TranslationMetadata  skip `json:"translationMetadata"`
}

// rule is a reporting descriptor: a rule of a tool, or a taxon of a
// taxonomy. go-sarif has no field for its relationships.
type rule struct {
	gosarif.ReportingDescriptor
	Relationships []relationship `json:"relationships"`

	MessageStrings skip `json:"messageStrings"`
}

type relationship struct {
	Target reference `json:"target"`
	Kinds  []string  `json:"kinds"`
}

// reference is a reportingDescriptorReference.
type reference struct {
	ID            *string            `json:"id"`
	Index         *int               `json:"index"`
	GUID          *string            `json:"guid"`
	ToolComponent *componentRef      `json:"toolComponent"`
	Properties    gosarif.Properties `json:"properties"`
}

// componentRef is a toolComponentReference.
type componentRef struct {
	Name  *string `json:"name"`
	Index *int    `json:"index"`
	GUID  *string `json:"guid"`
}

// result is one result of a run. It is not go-sarif's Result, whose
// ruleIndex cannot be -1 and which is three times the size: a log holds
// hundreds of thousands of results. Its parts are go-sarif's. Results are
// decoded through pointers, so that growing the list while decoding copies
// pointers, not results.
type result struct {
	RuleID         *string           `json:"ruleId"`
	RuleIndex      *int              `json:"ruleIndex"`
	Rule           *reference        `json:"rule"`
	Kind           *string           `json:"kind"`
	Level          *string           `json:"level"`
	Message        gosarif.Message   `json:"message"`
	Locations      []location        `json:"locations"`
	AnalysisTarget *artifactLocation `json:"analysisTarget"`
	Taxa           []reference       `json:"taxa"`
	Suppressions   []suppression     `json:"suppressions"`
	BaselineState  *string           `json:"baselineState"`
	// Fingerprints tell results apart (SARIF §3.27.16, §3.27.17).
	Fingerprints        map[string]any `json:"fingerprints"`
	PartialFingerprints map[string]any `json:"partialFingerprints"`
	gosarif.PropertyBag
}

type location struct {
	gosarif.Location
	PhysicalLocation *physicalLocation `json:"physicalLocation"`

	ID               skip `json:"id"`
	LogicalLocations skip `json:"logicalLocations"`
	Annotations      skip `json:"annotations"`
	Relationships    skip `json:"relationships"`
}

type physicalLocation struct {
	gosarif.PhysicalLocation
	ArtifactLocation *artifactLocation `json:"artifactLocation"`

	Address skip `json:"address"`
}

type artifactLocation struct {
	gosarif.ArtifactLocation
	Index *int `json:"index"`
}

type suppression struct {
	gosarif.Suppression
	Location skip `json:"location"`
}

// invocation is the part of a run's invocation that says whether the tool
// ran to the end, and when. go-sarif's Invocation reads its times as
// time.Time, which refuses some dates tools write; they are kept as
// written here.
type invocation struct {
	ExecutionSuccessful        *bool          `json:"executionSuccessful"`
	StartTimeUTC               string         `json:"startTimeUtc"`
	EndTimeUTC                 string         `json:"endTimeUtc"`
	ToolExecutionNotifications []notification `json:"toolExecutionNotifications"`
	// WorkingDirectory is where the tool ran: absolute paths under it
	// are made relative to it.
	WorkingDirectory               *artifactLocation `json:"workingDirectory"`
	ToolConfigurationNotifications []notification    `json:"toolConfigurationNotifications"`
}

// notification is a tool's message about its run. Level is as written:
// SARIF's default, when it is absent, is "warning".
type notification struct {
	Level      *string         `json:"level"`
	Message    gosarif.Message `json:"message"`
	Descriptor *reference      `json:"descriptor"`
	Locations  []location      `json:"locations"`
}
