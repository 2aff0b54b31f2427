package io.meshwork.control.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.meshwork.control.resource.ResourceStore;
import io.meshwork.control.resource.StoredObject;
import io.meshwork.control.store.CompactedRevisionException;
import io.meshwork.control.store.StorageFailureException;
import io.meshwork.control.store.StoreException;
import io.meshwork.control.store.Watch;
import io.meshwork.control.store.WatchEvent;
import io.meshwork.control.store.WatchListener;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.LastHttpContent;
import java.time.Duration;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.UnaryOperator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client's watch: store events become newline-delimited JSON chunks
 * ({@code {"type":"ADDED"|"MODIFIED"|"DELETED"|"BOOKMARK"|"ERROR","object":{...}}}) on a chunked response.
 *
 * <p>Events are written by the store's watcher thread, which waits while the socket is not writable: a slow
 * client holds back only its own watch, and one that stays stuck past {@link #STALL_LIMIT} is disconnected (it
 * resumes from its last resourceVersion). Bookmarks carry a revision up to which every event has been written,
 * so a reconnecting client resumes from there without missing or repeating anything.
 */
final class WatchStream implements WatchListener {

    private static final Logger log = LoggerFactory.getLogger(WatchStream.class);
    static final Duration STALL_LIMIT = Duration.ofSeconds(30);

    private final Channel channel;
    private final ResourceStore resources;
    private final ObjectMapper json;
    private final UnaryOperator<ObjectNode> present;
    private final String bookmarkKind;
    private final String bookmarkApiVersion;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition writable = lock.newCondition();
    private volatile Watch watch;
    private volatile ScheduledFuture<?> bookmarks;
    private volatile ScheduledFuture<?> deadline;
    private volatile boolean ended;
    // Orders the last chunk after every event chunk: finish() may run on the ticker while an event is being sent.
    private final Object writeLock = new Object();
    private boolean finished;

    /**
     * @param present adjusts an object before it is sent (e.g. to the apiVersion the client asked for)
     */
    WatchStream(Channel channel, ResourceStore resources, ObjectMapper json, UnaryOperator<ObjectNode> present,
            String bookmarkKind, String bookmarkApiVersion) {
        this.channel = channel;
        this.resources = resources;
        this.json = json;
        this.present = present;
        this.bookmarkKind = bookmarkKind;
        this.bookmarkApiVersion = bookmarkApiVersion;
    }

    /**
     * Starts delivery after {@code fromRevision}; the response head must already be written. Ends the stream with
     * a 410 ERROR event if the revision was compacted in the meantime.
     */
    void start(String prefix, long fromRevision, ScheduledExecutorService ticker, Duration bookmarkInterval,
            Duration timeout) {
        channel.closeFuture().addListener((ChannelFutureListener) f -> stop());
        try {
            watch = resources.keyValueStore().watch(prefix, fromRevision, this);
        } catch (CompactedRevisionException e) {
            onError(e);
            return;
        }
        if (ended) {
            watch.close();
            return;
        }
        long every = bookmarkInterval.toMillis();
        bookmarks = ticker.scheduleAtFixedRate(this::requestBookmark, every, every, TimeUnit.MILLISECONDS);
        if (timeout != null) {
            deadline = ticker.schedule(this::finish, timeout.toMillis(), TimeUnit.MILLISECONDS);
        }
    }

    /** Sends one event of an initial listing (Kubernetes' synthetic ADDED events for a watch without revision). */
    void sendInitial(StoredObject object) {
        // Bounded by the store's size and written before the watch starts, so it is queued without waiting.
        write("ADDED", present.apply(object.object()));
    }

    @Override
    public void onEvent(WatchEvent event) {
        StoredObject object = resources.decode(event.kv());
        String type = switch (event.type()) {
            case PUT -> event.isCreate() ? "ADDED" : "MODIFIED";
            case DELETE -> "DELETED";
        };
        send(type, present.apply(object.object()));
    }

    @Override
    public void onProgress(long revision) {
        ObjectNode object = json.createObjectNode();
        object.put("kind", bookmarkKind);
        object.put("apiVersion", bookmarkApiVersion);
        object.putObject("metadata").put("resourceVersion", Long.toString(revision));
        send("BOOKMARK", object);
    }

    @Override
    public void onError(StoreException error) {
        ApiStatus status = switch (error) {
            case CompactedRevisionException c -> ApiStatus.gone("too old resource version: " + c.requestedRevision()
                    + " (" + c.compactRevision() + "); list again and watch from the list's resourceVersion");
            case StorageFailureException failure -> FailureReport.internal("a watch", failure);
            default -> ApiStatus.of(HttpResponseStatus.SERVICE_UNAVAILABLE,
                    "ServiceUnavailable", error.getMessage() + "; resume from the last resourceVersion received");
        };
        send("ERROR", status.toJson());
        finish();
    }

    /** Called by the channel's handler when the socket's writability changes. */
    void writabilityChanged() {
        lock.lock();
        try {
            writable.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** Writes the last chunk and closes the connection. */
    void finish() {
        stop();
        synchronized (writeLock) {
            if (finished) {
                return;
            }
            finished = true;
            channel.writeAndFlush(LastHttpContent.EMPTY_LAST_CONTENT).addListener(ChannelFutureListener.CLOSE);
        }
    }

    private void requestBookmark() {
        Watch w = watch;
        if (w != null && !ended) {
            w.requestProgress();
        }
    }

    private void stop() {
        ended = true;
        Watch w = watch;
        if (w != null) {
            w.close();
        }
        cancel(bookmarks);
        cancel(deadline);
        writabilityChanged();
    }

    private static void cancel(ScheduledFuture<?> f) {
        if (f != null) {
            f.cancel(false);
        }
    }

    private void send(String type, ObjectNode object) {
        if (ended || !awaitWritable()) {
            return;
        }
        write(type, object);
    }

    private void write(String type, ObjectNode object) {
        ObjectNode event = json.createObjectNode();
        event.put("type", type);
        event.set("object", object);
        byte[] line;
        try {
            line = json.writeValueAsBytes(event);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
        synchronized (writeLock) {
            if (!finished) {
                channel.writeAndFlush(new DefaultHttpContent(Unpooled.buffer(line.length + 1).writeBytes(line)
                        .writeByte('\n')));
            }
        }
    }

    private boolean awaitWritable() {
        long waitNanos = STALL_LIMIT.toNanos();
        lock.lock();
        try {
            while (!channel.isWritable() && channel.isActive() && !ended) {
                if (waitNanos <= 0) {
                    log.info("watch client {} stalled for {}; disconnecting", channel.remoteAddress(), STALL_LIMIT);
                    channel.close();
                    return false;
                }
                waitNanos = writable.awaitNanos(waitNanos);
            }
            return channel.isActive() && !ended;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } finally {
            lock.unlock();
        }
    }

}
