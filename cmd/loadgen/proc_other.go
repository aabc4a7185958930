//go:build !linux

package main

import (
	"errors"
	"os/exec"
	"time"
)

// The memory and CPU figures come from /proc: elsewhere they are missing.

var errNoProc = errors.New("memory and CPU figures need Linux's /proc")

func setChildAttrs(*exec.Cmd) {}

func procMemory(int) (rss, peak int64, err error) { return 0, 0, errNoProc }

func procCPU(int) (time.Duration, error) { return 0, errNoProc }

func selfCPU() time.Duration { return 0 }

func cpuModel() string { return "" }

func memTotal() int64 { return 0 }

func machineBusy() (time.Duration, error) { return 0, errNoProc }
