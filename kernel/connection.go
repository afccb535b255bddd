package kernel

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
)

// ConnectionInfo is the content of the connection file a front end writes for a kernel.
type ConnectionInfo struct {
	Transport       string `json:"transport"`
	IP              string `json:"ip"`
	ShellPort       int    `json:"shell_port"`
	ControlPort     int    `json:"control_port"`
	StdinPort       int    `json:"stdin_port"`
	IOPubPort       int    `json:"iopub_port"`
	HBPort          int    `json:"hb_port"`
	Key             string `json:"key"`
	SignatureScheme string `json:"signature_scheme"`
	KernelName      string `json:"kernel_name,omitempty"`
}

// ReadConnectionFile reads and checks a connection file.
func ReadConnectionFile(path string) (*ConnectionInfo, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var c ConnectionInfo
	if err := json.Unmarshal(data, &c); err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	if err := c.check(); err != nil {
		return nil, fmt.Errorf("connection file %s: %w", path, err)
	}
	return &c, nil
}

func (c *ConnectionInfo) check() error {
	if c.Transport == "" {
		c.Transport = "tcp"
	}
	if c.Transport != "tcp" && c.Transport != "ipc" {
		return fmt.Errorf("transport %q is not supported (tcp or ipc)", c.Transport)
	}
	if c.IP == "" {
		return fmt.Errorf("no ip")
	}
	if c.SignatureScheme == "" {
		c.SignatureScheme = "hmac-sha256"
	}
	if _, err := signatureHash(c.SignatureScheme); err != nil {
		return err
	}
	for name, port := range map[string]int{"shell_port": c.ShellPort, "control_port": c.ControlPort,
		"stdin_port": c.StdinPort, "iopub_port": c.IOPubPort, "hb_port": c.HBPort} {
		if port <= 0 || (c.Transport == "tcp" && port > 65535) {
			return fmt.Errorf("%s %d is not a port", name, port)
		}
		// Linux keeps a Unix socket's path in 108 bytes, the last one a zero.
		if path := c.socketPath(port); c.Transport == "ipc" && len(path) > 107 {
			return fmt.Errorf("%s: the socket path %s is %d bytes long, over the 107 a Unix socket may have", name, path, len(path))
		}
	}
	return nil
}

// socketPath is the Unix socket of port for the ipc transport: "{ip}-{port}", as
// jupyter_client and ipykernel name it.
func (c *ConnectionInfo) socketPath(port int) string {
	return c.IP + "-" + strconv.Itoa(port)
}

// endpoint is the ZeroMQ address of port (a front end's).
func (c *ConnectionInfo) endpoint(port int) string {
	if c.Transport == "ipc" {
		return "ipc://" + c.socketPath(port)
	}
	return "tcp://" + c.addr(port)
}
