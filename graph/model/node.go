package model

// Entity is what a GraphQL Node resolves to: one of the persistence entity
// types (Package, PackageVersion, Environment, PackageIndex,
// SoftwareEnvironment). It is empty so
// persistence types need no GraphQL methods.
type Entity interface{}
