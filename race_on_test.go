//go:build race

package main

// raceEnabled: the race detector's shadow memory multiplies RSS (5-10x).
const raceEnabled = true
