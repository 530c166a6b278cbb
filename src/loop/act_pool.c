/*  act_pool - worker threads for blocking work (act_offload)
    SPDX-License-Identifier: MPL-2.0

    Workers are detached and share the pool by count: a loop that stops
    does not wait for work that may block forever. Work not yet started
    when the loop stops is dropped; a result that comes back after its
    actor stopped is a dead letter, like any message to a stopped actor.
*/
#include "act_loop_priv.h"

typedef struct s_job {
    struct s_job *next;         //  queue link
    act_ref_t *to;              //  who gets the result (counted)
    act_work_fn *work;          //  what to run
    void *arg;                  //  its argument
} s_job_t;

struct act_pool {
    pthread_mutex_t lock;       //  guards everything below
    pthread_cond_t cond;        //  signalled on new job or stop
    s_job_t *head;              //  jobs, oldest first
    s_job_t *tail;
    int refs;                   //  the loop and each live worker
    int threads;                //  workers to start, at most (the system's
                                //  act_system_set_workers, as of the last
                                //  submit)
    int started;                //  workers started
    int idle;                   //  workers waiting for a job
    bool stopped;               //  the loop released the pool
};

static void
s_pool_unref (act_pool_t *self)
{
    //  Called with the lock held; frees the pool when the last owner goes.
    bool last = --self->refs == 0;
    pthread_mutex_unlock (&self->lock);
    if (last) {
        pthread_mutex_destroy (&self->lock);
        pthread_cond_destroy (&self->cond);
        free (self);
    }
}

static void *
s_worker (void *arg)
{
    act_pool_t *self = (act_pool_t *) arg;
    pthread_mutex_lock (&self->lock);
    while (true) {
        while (!self->head && !self->stopped) {
            self->idle++;
            pthread_cond_wait (&self->cond, &self->lock);
            self->idle--;
        }
        if (self->stopped)
            break;
        s_job_t *job = self->head;
        self->head = job->next;
        if (!self->head)
            self->tail = NULL;
        pthread_mutex_unlock (&self->lock);
        act_msg_t *result = job->work (job->arg);
        if (result)
            act_tell (job->to, &result);
        act_ref_destroy (&job->to);
        free (job);
        pthread_mutex_lock (&self->lock);
    }
    s_pool_unref (self);
    return NULL;
}

act_pool_t *
act_pool_new (void)
{
    act_pool_t *self = (act_pool_t *) calloc (1, sizeof (act_pool_t));
    if (!self)
        abort ();
    pthread_mutex_init (&self->lock, NULL);
    pthread_cond_init (&self->cond, NULL);
    self->refs = 1;
    return self;
}

int
act_pool_submit (act_pool_t *self, int threads, act_ref_t *to, act_work_fn *work,
                 void *arg)
{
    s_job_t *job = (s_job_t *) malloc (sizeof (s_job_t));
    if (!job)
        abort ();
    *job = (s_job_t) { NULL, act_ref_dup (to), work, arg };
    pthread_mutex_lock (&self->lock);
    //  A limit raised since lets more start from now on; one lowered
    //  starts no more, and those started stay until the system goes
    self->threads = threads;
    if (self->tail)
        self->tail->next = job;
    else
        self->head = job;
    self->tail = job;
    //  Start workers on demand, up to the limit: an actor system that
    //  never offloads never pays for threads.
    if (self->idle == 0 && self->started < self->threads) {
        pthread_t thread;
        pthread_attr_t attr;
        pthread_attr_init (&attr);
        pthread_attr_setdetachstate (&attr, PTHREAD_CREATE_DETACHED);
        if (pthread_create (&thread, &attr, s_worker, self) == 0) {
            self->started++;
            self->refs++;
        }
        pthread_attr_destroy (&attr);
        if (self->started == 0) {
            self->head = self->tail = NULL;
            pthread_mutex_unlock (&self->lock);
            act_ref_destroy (&job->to);
            free (job);
            errno = EAGAIN;
            return -1;
        }
    }
    pthread_cond_signal (&self->cond);
    pthread_mutex_unlock (&self->lock);
    return 0;
}

void
act_pool_release (act_pool_t **self_p)
{
    if (!self_p || !*self_p)
        return;
    act_pool_t *self = *self_p;
    *self_p = NULL;
    pthread_mutex_lock (&self->lock);
    self->stopped = true;
    s_job_t *job = self->head;
    self->head = self->tail = NULL;
    pthread_cond_broadcast (&self->cond);
    s_pool_unref (self);
    while (job) {
        s_job_t *next = job->next;
        act_ref_destroy (&job->to);
        free (job);
        job = next;
    }
}
