package store_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/pleo-emulator/pleo-emulator/internal/store"
)

func openMemory(t *testing.T) *store.Store {
	t.Helper()
	st, err := store.Open(context.Background(), store.Memory)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	return st
}

func TestWriteWithAnEndedContextNeverRunsFn(t *testing.T) {
	st := openMemory(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := st.Write(ctx, func(*store.Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("Write with a cancelled context: err %v, fn ran %v", err, ran)
	}
}

func TestAPanicInFnReachesTheCallerAndTheWriterGoesOn(t *testing.T) {
	st := openMemory(t)
	func() {
		defer func() {
			p := recover()
			if p == nil || !strings.Contains(p.(string), "boom") {
				t.Fatalf("recovered %v, want the panic from fn", p)
			}
		}()
		_ = st.Write(context.Background(), func(*store.Tx) error { panic("boom") })
	}()
	if err := st.Write(context.Background(), func(*store.Tx) error { return nil }); err != nil {
		t.Fatalf("Write after a panic: %v", err)
	}
}

func TestWriteAfterCloseFailsWithErrClosed(t *testing.T) {
	st, err := store.Open(context.Background(), store.Memory)
	if err != nil {
		t.Fatal(err)
	}
	st.Close()
	if err := st.Write(context.Background(), func(*store.Tx) error { return nil }); !errors.Is(err, store.ErrClosed) {
		t.Fatalf("Write after Close: %v", err)
	}
}
