// Command floorkernel is the floor of issue 15's speed benchmark (bench/run-speed): the
// least a Jupyter kernel in Go can be. It binds its five go-zeromq/zmq4 sockets at once,
// signs and verifies with HMAC-SHA256, echoes heartbeats, answers kernel_info_request and
// shutdown_request, and answers every execute_request with the fixed result 2 (busy,
// execute_input, execute_result and idle on iopub, the reply on shell). Any other request
// gets busy and idle and no reply. It runs no code: what a kernel takes beyond it is the
// kernel's own.
//
//	floorkernel CONNECTION_FILE
package main

import (
	"context"
	"encoding/json"
	"fmt"
	"os"
	"sync"

	"github.com/go-zeromq/zmq4"

	"github.com/gomatcalc/gomatcalc/bench/internal/jmsg"
)

// kernel holds the sockets; mu orders the writes to iopub and the signer's use.
type kernel struct {
	mu      sync.Mutex
	signer  *jmsg.Signer
	session string
	iopub   zmq4.Socket
	count   int // execution_count
	done    chan bool
}

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: floorkernel CONNECTION_FILE")
		os.Exit(2)
	}
	if err := run(os.Args[1]); err != nil {
		fmt.Fprintln(os.Stderr, "floorkernel:", err)
		os.Exit(1)
	}
}

func run(path string) error {
	conn, err := jmsg.ReadConnection(path)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	k := &kernel{signer: jmsg.NewSigner(conn.Key), session: jmsg.NewID(), done: make(chan bool, 1)}
	shell, control, stdin := zmq4.NewRouter(ctx), zmq4.NewRouter(ctx), zmq4.NewRouter(ctx)
	k.iopub = zmq4.NewPub(ctx)
	hb := zmq4.NewRep(ctx)
	for _, s := range []struct {
		sock zmq4.Socket
		port int
	}{{shell, conn.ShellPort}, {control, conn.ControlPort}, {stdin, conn.StdinPort}, {k.iopub, conn.IOPubPort}, {hb, conn.HBPort}} {
		if err := s.sock.Listen(conn.Endpoint(s.port)); err != nil {
			return err
		}
		defer s.sock.Close()
	}
	go func() {
		for {
			m, err := hb.Recv()
			if err != nil || hb.Send(m) != nil {
				return
			}
		}
	}()
	go k.serve(shell)
	go k.serve(control)
	<-k.done
	return nil
}

// serve answers the requests of a ROUTER socket until it closes.
func (k *kernel) serve(sock zmq4.Socket) {
	for {
		raw, err := sock.Recv()
		if err != nil {
			return
		}
		k.mu.Lock()
		req, err := k.signer.Decode(raw.Frames)
		if err != nil {
			k.mu.Unlock()
			fmt.Fprintln(os.Stderr, "floorkernel: dropped:", err)
			continue
		}
		k.handle(sock, req)
		k.mu.Unlock()
	}
}

// handle answers req; k.mu is held.
func (k *kernel) handle(sock zmq4.Socket, req *jmsg.Message) {
	k.publish(req, "status", map[string]any{"execution_state": "busy"})
	switch req.Header.MsgType {
	case "kernel_info_request":
		k.reply(sock, req, "kernel_info_reply", map[string]any{
			"status":                 "ok",
			"protocol_version":       "5.3",
			"implementation":         "floorkernel",
			"implementation_version": "1",
			"language_info":          map[string]any{"name": "go", "version": "", "mimetype": "text/x-go", "file_extension": ".go"},
			"banner":                 "the floor of bench/run-speed",
			"help_links":             []any{},
		})
	case "execute_request":
		var c struct {
			Code   string `json:"code"`
			Silent bool   `json:"silent"`
		}
		json.Unmarshal(req.Content, &c)
		if !c.Silent {
			k.count++
		}
		k.publish(req, "execute_input", map[string]any{"code": c.Code, "execution_count": k.count})
		if !c.Silent {
			k.publish(req, "execute_result", map[string]any{"execution_count": k.count,
				"data": map[string]any{"text/plain": "2"}, "metadata": map[string]any{}})
		}
		k.reply(sock, req, "execute_reply", map[string]any{"status": "ok", "execution_count": k.count, "user_expressions": map[string]any{}})
	case "shutdown_request":
		var c struct {
			Restart bool `json:"restart"`
		}
		json.Unmarshal(req.Content, &c)
		k.reply(sock, req, "shutdown_reply", map[string]any{"status": "ok", "restart": c.Restart})
		k.publish(req, "status", map[string]any{"execution_state": "idle"})
		k.done <- true
		return
	}
	k.publish(req, "status", map[string]any{"execution_state": "idle"})
}

// message is a message of msgType in reply to req.
func (k *kernel) message(req *jmsg.Message, msgType string, content any) *jmsg.Message {
	c, _ := json.Marshal(content)
	return &jmsg.Message{Header: jmsg.NewHeader(msgType, k.session), Parent: req.RawHeader, Content: c}
}

func (k *kernel) reply(sock zmq4.Socket, req *jmsg.Message, msgType string, content any) {
	m := k.message(req, msgType, content)
	m.Identities = req.Identities
	k.send(sock, m)
}

func (k *kernel) publish(req *jmsg.Message, msgType string, content any) {
	m := k.message(req, msgType, content)
	m.Identities = [][]byte{[]byte("kernel." + k.session + "." + msgType)}
	k.send(k.iopub, m)
}

func (k *kernel) send(sock zmq4.Socket, m *jmsg.Message) {
	frames, err := k.signer.Encode(m)
	if err == nil {
		err = sock.SendMulti(zmq4.NewMsgFrom(frames...))
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "floorkernel: send:", err)
	}
}
