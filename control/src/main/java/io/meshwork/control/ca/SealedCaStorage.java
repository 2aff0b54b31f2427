package io.meshwork.control.ca;

import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.SecretKeyFactory;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.PBEKeySpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Keeps the CA's secrets encrypted in another {@link CaStorage}: the root keys and the join-token key are sealed
 * with AES-256-GCM under a key derived from the operator's passphrase (PBKDF2-HMAC-SHA256, RFC 8018 §5.2, with a
 * random salt), so a copy of the store, of its WAL or of a backup does not give the CA away. The name is the
 * additional authenticated data: a sealed value cannot be moved to another name. Certificates, the trust bundle and
 * the token ledger are not secret and stay readable.
 *
 * <p>Without a passphrase this storage passes values through, and refuses a sealed one naming the setting
 * ({@code caKeyPassphraseFile}) that is missing; a wrong passphrase is refused the same way.
 * With one, a secret stored in the clear by an earlier start is sealed the first time it is read.
 */
public final class SealedCaStorage implements CaStorage {
    /** The names whose values are secrets. */
    static final Set<String> SECRETS = Set.of(CertificateAuthority.ROOT_KEY, CertificateAuthority.STAGED_KEY,
            JoinTokens.KEY_NAME);
    static final String PREFIX = "mwsealed1.";
    /** OWASP's 2023 figure for PBKDF2-HMAC-SHA256; derived once per salt, so at most a few times per start. */
    static final int ITERATIONS = 600_000;
    private static final int SALT_BYTES = 16;
    private static final int IV_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();
    private static final Base64.Decoder B64D = Base64.getUrlDecoder();

    private final CaStorage inner;
    private final char[] passphrase;
    private final byte[] salt;
    private final Map<String, SecretKey> keys = new ConcurrentHashMap<>();

    /**
     * @param passphrase the operator's passphrase, or null to store secrets in the clear
     */
    public SealedCaStorage(CaStorage inner, char[] passphrase) {
        this.inner = inner;
        this.passphrase = passphrase == null ? null : passphrase.clone();
        this.salt = new byte[SALT_BYTES];
        RANDOM.nextBytes(salt);
    }

    public boolean sealing() {
        return passphrase != null;
    }

    @Override
    public Optional<String> get(String name) {
        Optional<String> stored = inner.get(name);
        if (stored.isEmpty() || !SECRETS.contains(name)) {
            return stored;
        }
        String value = stored.get();
        if (value.startsWith(PREFIX)) {
            if (passphrase == null) {
                throw new IllegalArgumentException("caKeyPassphraseFile: missing, but the CA's " + name + " is"
                        + " encrypted in the store (expected: the file with the passphrase it was sealed with)");
            }
            return Optional.of(open(name, value));
        }
        if (passphrase != null) {
            inner.put(name, seal(name, value));
        }
        return stored;
    }

    @Override
    public void put(String name, String value) {
        inner.put(name, passphrase != null && SECRETS.contains(name) ? seal(name, value) : value);
    }

    private String seal(String name, String value) {
        byte[] iv = new byte[IV_BYTES];
        RANDOM.nextBytes(iv);
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.ENCRYPT_MODE, key(salt), new GCMParameterSpec(TAG_BITS, iv));
            cipher.updateAAD(name.getBytes(StandardCharsets.US_ASCII));
            byte[] sealed = cipher.doFinal(value.getBytes(StandardCharsets.UTF_8));
            return PREFIX + B64.encodeToString(salt) + "." + B64.encodeToString(iv) + "." + B64.encodeToString(sealed);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private String open(String name, String value) {
        String[] parts = value.substring(PREFIX.length()).split("\\.", -1);
        byte[][] raw = new byte[3][];
        try {
            if (parts.length != 3) {
                throw new IllegalArgumentException("parts");
            }
            for (int i = 0; i < 3; i++) {
                raw[i] = B64D.decode(parts[i]);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalStateException("the CA's " + name + ": damaged in the store (expected: "
                    + PREFIX + "<salt>.<iv>.<ciphertext>)");
        }
        try {
            Cipher cipher = Cipher.getInstance("AES/GCM/NoPadding");
            cipher.init(Cipher.DECRYPT_MODE, key(raw[0]), new GCMParameterSpec(TAG_BITS, raw[1]));
            cipher.updateAAD(name.getBytes(StandardCharsets.US_ASCII));
            return new String(cipher.doFinal(raw[2]), StandardCharsets.UTF_8);
        } catch (javax.crypto.AEADBadTagException e) {
            throw new IllegalArgumentException("caKeyPassphraseFile: the CA's " + name + " does not decrypt with"
                    + " this passphrase (expected: the passphrase it was sealed with)");
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM unavailable", e);
        }
    }

    private SecretKey key(byte[] saltBytes) {
        return keys.computeIfAbsent(B64.encodeToString(saltBytes), s -> {
            PBEKeySpec spec = new PBEKeySpec(passphrase, saltBytes, ITERATIONS, 256);
            try {
                byte[] k = SecretKeyFactory.getInstance("PBKDF2WithHmacSHA256").generateSecret(spec).getEncoded();
                SecretKey key = new SecretKeySpec(k, "AES");
                Arrays.fill(k, (byte) 0);
                return key;
            } catch (GeneralSecurityException e) {
                throw new IllegalStateException("PBKDF2WithHmacSHA256 unavailable", e);
            } finally {
                spec.clearPassword();
            }
        });
    }
}
