package objectstore

// NewS3Unchecked builds an S3 store without Open's bucket check, so tests
// can call methods on a store whose server is down.
func NewS3Unchecked(cfg Config) (Store, error) { return newS3(cfg) }
