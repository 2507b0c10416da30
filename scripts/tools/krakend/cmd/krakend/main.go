// Command krakend runs KrakenD CE 1.4.1 (the executor, router and plugins of
// github.com/devopsfaith/krakend-ce) bound to one IP address.
//
// KrakenD 1.4 listens on ":<port>", every interface, and has no setting for
// the address. This entry point replaces only the HTTP listener: it binds
// KRAKEND_LISTEN_IP (default 127.0.0.1) and keeps KrakenD's own server
// wrapping (CORS, server plugins), timeouts and TLS handling. Everything
// else, including the flexible configuration (FC_* variables) and the
// run/check commands, is KrakenD's.
package main

import (
	"context"
	"log"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"

	krakend "github.com/devopsfaith/krakend-ce"
	cmd "github.com/devopsfaith/krakend-cobra"
	flexibleconfig "github.com/devopsfaith/krakend-flexibleconfig"
	viper "github.com/devopsfaith/krakend-viper"
	"github.com/luraproject/lura/config"
	"github.com/luraproject/lura/logging"
	luragin "github.com/luraproject/lura/router/gin"
	luraserver "github.com/luraproject/lura/transport/http/server"
)

const (
	listenIPVariable = "KRAKEND_LISTEN_IP"
	defaultListenIP  = "127.0.0.1"
)

// listenIP returns the address to bind, refusing anything that is not an IP.
func listenIP() string {
	ip := os.Getenv(listenIPVariable)
	if ip == "" {
		return defaultListenIP
	}
	if net.ParseIP(ip) == nil {
		log.Fatalf("%s=%q is not an IP address", listenIPVariable, ip)
	}
	return ip
}

// runServer serves handler on listenIP():cfg.Port until ctx ends, with the
// server settings (timeouts, TLS) KrakenD derives from cfg.
func runServer(ctx context.Context, cfg config.ServiceConfig, handler http.Handler) error {
	s := luraserver.NewServer(cfg, handler)
	done := make(chan error, 1)

	s.Addr = net.JoinHostPort(listenIP(), strconv.Itoa(cfg.Port))
	go func() {
		if s.TLSConfig == nil {
			done <- s.ListenAndServe()
			return
		}
		if cfg.TLS.PublicKey == "" {
			done <- luraserver.ErrPublicKey
			return
		}
		if cfg.TLS.PrivateKey == "" {
			done <- luraserver.ErrPrivateKey
			return
		}
		done <- s.ListenAndServeTLS(cfg.TLS.PublicKey, cfg.TLS.PrivateKey)
	}()
	select {
	case err := <-done:
		return err
	case <-ctx.Done():
		return s.Shutdown(context.Background())
	}
}

// boundRunServerFactory is KrakenD's default server wrapping around runServer.
type boundRunServerFactory struct{}

func (boundRunServerFactory) NewRunServer(l logging.Logger, _ luragin.RunServerFunc) krakend.RunServer {
	return new(krakend.DefaultRunServerFactory).NewRunServer(l, runServer)
}

func main() {
	signals := make(chan os.Signal, 1)
	ctx, cancel := context.WithCancel(context.Background())
	var parser config.Parser = viper.New()

	defer cancel()
	signal.Notify(signals, syscall.SIGINT, syscall.SIGTERM)
	go func() {
		select {
		case sig := <-signals:
			log.Println("Signal intercepted:", sig)
			cancel()
		case <-ctx.Done():
		}
	}()

	krakend.RegisterEncoders()
	if os.Getenv("FC_ENABLE") != "" {
		parser = flexibleconfig.NewTemplateParser(flexibleconfig.Config{
			Parser:    parser,
			Partials:  os.Getenv("FC_PARTIALS"),
			Settings:  os.Getenv("FC_SETTINGS"),
			Path:      os.Getenv("FC_OUT"),
			Templates: os.Getenv("FC_TEMPLATES"),
		})
	}
	builder := &krakend.ExecutorBuilder{
		RunServerFactory: boundRunServerFactory{},
		EngineFactory:    redactingEngineFactory{},
	}
	cmd.Execute(parser, builder.NewCmdExecutor(ctx))
}
