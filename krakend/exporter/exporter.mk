# krakend/exporter: KrakenD 1.4's JSON statistics as Prometheus metrics.
KRAKEND_STATS_SRCS := krakend/exporter/src/stats.c

$(eval $(call program,krakend-stats-exporter,$(KRAKEND_STATS_SRCS) krakend/exporter/src/main.c))
$(eval $(call unit_test,krakend_stats,$(KRAKEND_STATS_SRCS) krakend/exporter/tests/test_stats.c))

$(BUILD)/obj/krakend/exporter/%.o: ALL_CFLAGS += -Ikrakend/exporter/src
